"""The shape of the code, held by tests: no import cycles, the layer contracts kept, and the
few private corners of Textual we stand on still there.

An import cycle makes the order modules load in matter and keeps a layer from being read, or
tested, without the ones above it; the layer contracts in pyproject.toml are run here too, so
`pytest` alone catches a broken one. Imports made only for type checking (under
``if TYPE_CHECKING:``) count, as do those inside functions: a reader follows them like any
other.

Textual offers no public way to translate a binding's description or to tell a footer key from
the footer's other widgets (see tracker/widgets/translated.py and footer.py); the last tests
fail, naming the Textual attribute, when an upgrade moves what those modules rely on.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import grimp
import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

from tracker.i18n import _, set_language
from tracker.widgets.footer import Footer
from tracker.widgets.translated import translate_bindings

ROOT = Path(__file__).resolve().parents[2]


# -- import cycles ---------------------------------------------------------------------------

def strongly_connected(graph: grimp.ImportGraph, modules: Iterable[str]) -> list[list[str]]:
    """Each set of modules that import one another, round a cycle (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        imported = graph.find_modules_directly_imported_by(module)
        for other in sorted(imported):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1 or module in imported:
                found.append(sorted(component))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return sorted(found)


def describe(graph: grimp.ImportGraph, component: list[str]) -> str:
    """The imports that close the cycle, each with its line, so one can be chosen to break."""
    members = set(component)
    shortest = min((chain for module in component
                    for other in graph.find_modules_directly_imported_by(module) & members
                    if (chain := graph.find_shortest_chain(importer=other, imported=module))),
                   key=len, default=(component[0],))
    lines = [f"{len(component)} modules: {', '.join(component)}",
             f"  shortest cycle: {' -> '.join((shortest[-1], *shortest))}",
             "  imports between them:"]
    for importer in component:
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & members):
            for detail in graph.get_import_details(importer=importer, imported=imported):
                lines.append(f"    {importer}:{detail['line_number']}: "
                             f"{detail['line_contents']}")
    return "\n".join(lines)


def test_no_import_cycle_between_modules() -> None:
    graph = grimp.build_graph("tracker", exclude_type_checking_imports=False, cache_dir=None)
    modules = {m for m in graph.modules if m == "tracker" or m.startswith("tracker.")}
    assert {"tracker.app", "tracker.cli", "tracker.clinical.engine"} <= modules, sorted(modules)
    cycles = strongly_connected(graph, modules)
    assert not cycles, "modules importing one another (counting `if TYPE_CHECKING:` imports):\n" \
        + "\n".join(describe(graph, c) for c in cycles)


def test_strongly_connected_finds_each_cycle_and_nothing_else() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"),
                               ("e", "d"), ("f", "f"), ("g", "a")]:
        graph.add_import(importer=importer, imported=imported)
    assert strongly_connected(graph, graph.modules) == [["a", "b", "c"], ["d", "e"], ["f"]]


# -- the layer contracts ---------------------------------------------------------------------

def test_the_import_contracts_are_kept() -> None:
    beside_python = Path(sys.executable).with_name("lint-imports")
    lint_imports = str(beside_python) if beside_python.exists() else shutil.which("lint-imports")
    assert lint_imports, "lint-imports not found: import-linter is a dev dependency (.[dev])"
    done = subprocess.run([lint_imports, "--no-cache", "--no-logo"], cwd=ROOT,
                          capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, \
        f"lint-imports (pyproject.toml's contracts) failed:\n{done.stdout}{done.stderr}"


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
        for _ in range(50):  # Textual's footer composes its keys a frame or more after mounting
            await pilot.pause()
            if app.query_one("#textual", TextualFooter).query(FooterKey):
                break
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


@pytest.mark.parametrize("compact", [True, False])
async def test_the_footer_measures_keys_as_textual_lays_them_out(compact: bool) -> None:
    """tracker/widgets/footer.py fits the width from ``FooterKey.key_display``,
    ``.description``, ``.action`` and the ``-command-palette`` class, and the columns
    Textual's FooterKey CSS gives a key; each must still be what Textual draws."""
    from tracker.widgets.footer import key_width

    class Plain(_Keys):
        def compose(self) -> ComposeResult:
            yield TextualFooter(compact=compact, id="textual")

    app = Plain()
    async with app.run_test(size=(120, 10)) as pilot:
        await pilot.pause()
        keys = list(app.query_one("#textual", TextualFooter).query(FooterKey))
        assert {key.action for key in keys} >= {"alpha", "beta", "command_palette"}, \
            "FooterKey.action no longer names the binding's action"
        assert [k for k in keys if k.has_class("-command-palette")], \
            "the palette's FooterKey no longer has the class -command-palette"
        for key in keys:
            drawn = key.outer_size.width + key.styles.margin.left + key.styles.margin.right
            assert key_width(key, compact) == drawn, (
                f"{key.key_display} {key.description!r}: tracker counts "
                f"{key_width(key, compact)} columns, Textual draws {drawn} "
                "(textual.widgets._footer.FooterKey's CSS changed?)")


class _Tables(App[None]):
    # Textual draws a cursor on a fixed column like any other; told apart here, so that a
    # table mixing the two up is seen.
    CSS = "DataTable > .datatable--fixed-cursor { background: red; }"

    def compose(self) -> ComposeResult:
        from textual.widgets import DataTable

        from tracker.widgets.fixed_table import FixedColumnsTable

        yield DataTable(id="textual")
        yield FixedColumnsTable(id="ours")


async def test_the_fixed_columns_table_draws_what_textuals_table_draws() -> None:
    """tracker/widgets/fixed_table.py leaves rows out of Textual's cell measuring
    (``DataTable._update_dimensions``) when every column has its own width: the size and every
    line drawn must stay those of Textual's own table (else Textual's table changed)."""
    from rich.text import Text
    from textual.widgets import DataTable

    app = _Tables()
    async with app.run_test(size=(80, 40)) as pilot:
        tables = [app.query_one("#textual", DataTable), app.query_one("#ours", DataTable)]
        for table in tables:
            table.styles.height = 18
            for key, width in (("id", 3), ("name", 12), ("phase", 8)):
                table.add_column(key.title(), key=key, width=width)
            for n in range(40):
                table.add_row(Text(str(n)), Text(f"Patient [{n}] with a long name"),
                              "Titration" if n % 3 else "Target", key=str(n))
        for _ in range(5):
            await pilot.pause()
        ours, theirs = tables[1], tables[0]
        assert ours.virtual_size == theirs.virtual_size
        # the cells were not measured: only the headings were (when the columns were added)
        assert [c.content_width for c in ours.columns.values()] == [2, 4, 5]
        assert [ours.render_line(y).text for y in range(18)] == \
            [theirs.render_line(y).text for y in range(18)]
        assert "Patient [3]" in "".join(ours.render_line(y).text for y in range(18))


async def test_rows_added_at_once_are_the_rows_textuals_add_row_adds() -> None:
    """``FixedColumnsTable.add_keyed_rows`` checks the cursor once for all its rows instead of
    once a row: the rows, their order, the cursor, the highlighted row told and every line
    drawn must be what ``add_row`` gives (else Textual's table changed), and a duplicate key is
    refused as ``add_row`` refuses it."""
    from rich.text import Text
    from textual.widgets import DataTable
    from textual.widgets.data_table import DuplicateKey

    from tracker.widgets.fixed_table import FixedColumnsTable

    highlighted: dict[str, list[int]] = {"textual": [], "ours": []}

    class Told(_Tables):
        def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
            highlighted[str(event.data_table.id)].append(event.cursor_row)

    app = Told()
    async with app.run_test(size=(80, 40)) as pilot:
        theirs = app.query_one("#textual", DataTable)
        ours = app.query_one("#ours", FixedColumnsTable)
        rows = [(str(n), [Text(str(n)), Text(f"Patient [{n}]"), "Target" if n % 3 else ""])
                for n in range(30)]
        for table in (theirs, ours):
            table.styles.height = 12
            table.cursor_type = "row"
            for key, width in (("id", 3), ("name", 12), ("phase", 8)):
                table.add_column(key.title(), key=key, width=width)
        for key, cells in rows:
            theirs.add_row(*cells, key=key)
        ours.add_keyed_rows(iter(rows))
        ours.add_keyed_rows([])  # nothing added, nothing told
        for _ in range(5):
            await pilot.pause()
        assert [r.key.value for r in ours.ordered_rows] == [k for k, _ in rows]
        assert [ours.get_row(k) for k, _ in rows] == [theirs.get_row(k) for k, _ in rows]
        assert ours.cursor_coordinate == theirs.cursor_coordinate
        assert highlighted["ours"] == highlighted["textual"] == [0]
        assert ours.virtual_size == theirs.virtual_size
        assert [ours.render_line(y).text for y in range(12)] == \
            [theirs.render_line(y).text for y in range(12)]
        with pytest.raises(DuplicateKey):
            ours.add_keyed_rows([("30", ["30"]), ("3", ["again"])])
        assert ours.row_count == 31 and ours.get_row("30")[0] == "30"
        ours.move_cursor(row=30)
        await pilot.pause()
        assert ours.cursor_row == 30


def test_the_app_s_start_up_objects_are_left_out_of_later_collections(tmp_path) -> None:
    """docs/performance.md "Start-up": the collector's full runs walked every module and CSS
    object of the app, ~30 ms of its cold start and ~100 ms each time the clinic screen adds
    its rows; ``create_app`` freezes what exists (once a process)."""
    import subprocess
    import sys

    code = ("import gc, sys\n"
            "from tracker.app import create_app\n"
            "before = gc.get_freeze_count()\n"
            "create_app(sys.argv[1])\n"
            "print(before, gc.get_freeze_count())\n")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "t.db")],
                          capture_output=True, text=True, check=True)
    before, after = map(int, done.stdout.split())
    assert before == 0 and after > 10_000, (before, after)


async def test_the_fixed_columns_table_keeps_textuals_column_order() -> None:
    """FixedColumnsTable keeps ``ordered_columns`` until the columns change: after every
    change it must be Textual's own order (and the cells of a new row go under it)."""
    from textual.widgets import DataTable

    app = _Tables()
    async with app.run_test(size=(80, 40)) as pilot:
        tables = [app.query_one("#textual", DataTable), app.query_one("#ours", DataTable)]

        def same() -> None:
            theirs, ours = ([(c.key.value, str(c.label), c.width) for c in t.ordered_columns]
                            for t in tables)
            assert ours == theirs
            assert tables[1].ordered_columns == DataTable.ordered_columns.fget(tables[1])

        for table in tables:
            for key in ("a", "b", "c"):
                table.add_column(key.upper(), key=key, width=4)
        same()
        for table in tables:
            table.add_row("1", "2", "3", key="r1")
            table.remove_column("b")
        same()
        for table in tables:
            table.add_column("D", key="d", width=5)
            table.add_row("4", "5", key="r2")
        same()
        await pilot.pause()
        assert tables[1].get_row("r2") == tables[0].get_row("r2")
        for table in tables:
            table.clear(columns=True)
        same()
        for table in tables:
            table.add_column("E", key="e", width=3)
        same()


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_fixed_columns_table_draws_each_segment_and_style_as_textuals(
        seed: int) -> None:
    """FixedColumnsTable lays out each distinct text at a width once and applies each cell's
    styles itself (``_render_cell``): every segment drawn, its style and its meta (the row and
    column a click lands on) must be Textual's, for plain, styled, marked-up, wide, cropped and
    empty cells, in a fixed column, on the cursor's row, hovered, and scrolled sideways."""
    import random

    from rich.text import Text
    from textual.widgets import DataTable

    from tracker.widgets.fixed_table import FixedColumnsTable

    pick = random.Random(seed)
    words = ["Titration", "Target", "Mål", "日本語の名前", "", "a very long phase name here",
             "0,75 mg", "4,5 mg"]

    def cell(n: int) -> Text | str:
        word = pick.choice(words)
        kind = pick.randrange(5)
        if kind == 0:
            return word
        if kind == 1:
            return f"[b]{word}[/b] [{n}]"
        if kind == 2:
            return Text(word, style=pick.choice(["bold red", "italic", "reverse", ""]))
        if kind == 3:
            text = Text(f"{word} more")
            text.stylize("underline green", 0, max(1, len(word)))
            return text
        return Text(word, justify=pick.choice(["left", "right", "center"]))

    rows = [[Text(str(n)), *(cell(n) for _ in range(5))] for n in range(30)]
    app = _Tables()
    async with app.run_test(size=(60, 40)) as pilot:
        tables = [app.query_one("#textual", DataTable), app.query_one("#ours", DataTable)]
        for table in tables:
            table.styles.height = 16
            table.fixed_columns = 1
            for n, width in enumerate((3, 9, 12, 6, 10, 14)):
                table.add_column(f"C{n}", key=f"c{n}", width=width)
            for n, cells in enumerate(rows):
                table.add_row(*cells, key=str(n))
        theirs, ours = tables
        assert isinstance(ours, FixedColumnsTable)

        async def drawn_alike(moment: str) -> None:
            app.set_focus(None)  # a focused table's header is drawn in another colour
            for _ in range(3):
                await pilot.pause()
            for y in range(16):
                assert list(ours.render_line(y)) == list(theirs.render_line(y)), \
                    f"{moment}, line {y}"

        await drawn_alike("first frame")
        laid_out = ours._laid_out
        assert laid_out is not None and laid_out.hits > len(laid_out) > 0  # texts shared
        for table in tables:
            table.move_cursor(row=4, column=2)
            table._set_hover_cursor(True)
            table.hover_coordinate = table.hover_coordinate._replace(row=6, column=3)
        await drawn_alike("cursor and hover")
        for table in tables:
            table.move_cursor(row=3, column=0)
        await drawn_alike("cursor on the fixed column")
        for table in tables:
            table.cursor_type = "row"
            table.move_cursor(row=8)
            table.scroll_to(x=9, y=5, animate=False)
        await drawn_alike("row cursor, scrolled")
