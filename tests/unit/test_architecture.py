"""The shape of the code, held by tests: the few private corners of Textual we stand on
still there.

Textual offers no public way to translate a binding's description or to tell a footer key from
the footer's other widgets (see tracker/widgets/translated.py and footer.py); these tests
fail, naming the Textual attribute, when an upgrade moves what those modules rely on.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

from tracker.i18n import _, set_language
from tracker.widgets.footer import Footer
from tracker.widgets.translated import translate_bindings

# -- the private Textual we stand on ---------------------------------------------------------

class _Recorded(Footer):
    """tracker's footer, noting each key's classes as it hands the key over to be mounted."""

    given: list[tuple[str, set[str]]]

    def compose(self) -> ComposeResult:
        self.given = []
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                self.given.append((widget.description, set(widget.classes)))
            yield widget


class _Keys(App[None]):
    BINDINGS = [Binding("a", "alpha", "Alpha"), Binding("b", "beta", "Beta")]
    beta_shown = True

    def compose(self) -> ComposeResult:
        yield _Recorded(compact=True, id="ours")
        yield TextualFooter(compact=True, id="textual")

    def action_alpha(self) -> None: ...

    def action_beta(self) -> None: ...

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.beta_shown or action != "beta"


def _descriptions(footer: TextualFooter) -> list[str]:
    return [key.description for key in footer.query(FooterKey)]


async def test_a_compact_footer_key_gets_its_class_before_mounting() -> None:
    """tracker/widgets/footer.py tells keys by ``textual.widgets._footer.FooterKey`` and gives
    them, before mounting, the classes Textual's ``FooterKey._watch_compact`` gives after."""
    app = _Keys()
    async with app.run_test() as pilot:
        await pilot.pause()
        mounted = [(key.description, set(key.classes))
                   for key in app.query_one("#textual", TextualFooter).query(FooterKey)]
        assert {"Alpha", "Beta"} <= {description for description, _classes in mounted}, \
            "Textual's Footer no longer composes textual.widgets._footer.FooterKey widgets"
        given = app.query_one("#ours", _Recorded).given
        assert given == mounted, (
            f"tracker's compact footer gives its keys {given} before mounting, Textual's own "
            f"compact FooterKey widgets have {mounted} once mounted "
            "(textual.widgets._footer.FooterKey._watch_compact changed?)")


async def test_the_footer_redraws_only_when_its_keys_change() -> None:
    """tracker's Footer overrides Textual's ``Footer.bindings_changed``, the callback
    ``Screen.bindings_updated_signal`` calls, and decides from ``Screen.active_bindings``."""
    app = _Keys()
    async with app.run_test() as pilot:
        await pilot.pause()
        footer = app.query_one("#ours", Footer)
        shown = list(footer.children)
        assert _descriptions(footer) == ["Alpha", "Beta", "palette"]
        app.refresh_bindings()
        await pilot.pause()
        assert list(footer.children) == shown, \
            "the footer recomposed for bindings that changed nothing " \
            "(is textual.widgets.Footer.bindings_changed still what the screen calls?)"
        app.beta_shown = False
        app.refresh_bindings()
        await pilot.pause()
        assert _descriptions(footer) == ["Alpha", "palette"], "a change of keys was not shown"


class _Described(Screen[None]):
    BINDINGS = [Binding("x", "app.bell", "Quit", tooltip="palette")]

    def compose(self) -> ComposeResult:
        yield Footer()


async def test_translated_bindings_are_the_ones_textual_shows() -> None:
    """tracker/widgets/translated.py replaces a node's ``DOMNode._bindings``, which Textual
    reads (``Screen._binding_chain``) for the footer, the help panel and the palette."""
    app = App[None]()
    async with app.run_test() as pilot:
        screen = _Described()
        await app.push_screen(screen)
        await pilot.pause()
        palette = app.COMMAND_PALETTE_BINDING  # added by App.__init__, not by a class
        assert isinstance(app._bindings.key_to_bindings[palette], list), \
            "Textual's DOMNode._bindings is no longer a BindingsMap"
        set_language("da")
        quit_da, palette_da = _("Quit"), _("palette")
        assert (quit_da, palette_da) != ("Quit", "palette"), "the Danish catalogue is missing"
        for node in (app, screen):
            translate_bindings(node)
        screen.refresh_bindings()
        await pilot.pause()
        shown = screen.active_bindings
        assert (shown["x"].binding.description, shown["x"].binding.tooltip) == \
            (quit_da, palette_da), "Textual no longer shows the bindings of DOMNode._bindings"
        assert shown[palette].binding.description == palette_da
        assert quit_da in _descriptions(screen.query_one(Footer))
        set_language("en")
        for node in (app, screen):
            translate_bindings(node)
        shown = screen.active_bindings
        assert shown["x"].binding.description == "Quit"
        assert shown[palette].binding.description == "palette"
