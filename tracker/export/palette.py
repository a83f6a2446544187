"""The charts' colours, the report's and the app's review chart alike.

Okabe & Ito's palette: eight colours that readers with any common colour-vision deficiency tell
apart, and that stay apart in greyscale print. The dose has its own colour (blue) and the
side-effect episodes theirs (vermillion); the symptoms take the others in turn, so no symptom
line is ever drawn in the dose's colour.
"""

from __future__ import annotations

from typing import Final

RGB = tuple[int, int, int]
OKABE_ITO: Final[tuple[RGB, ...]] = (
    (0, 114, 178),  # blue: the dose
    (213, 94, 0),  # vermillion: side-effect episodes
    (0, 158, 115),  # bluish green
    (204, 121, 167),  # reddish purple
    (230, 159, 0),  # orange
    (86, 180, 233),  # sky blue
    (240, 228, 66),  # yellow
    (0, 0, 0),  # black
)
DOSE_COLOUR: Final = OKABE_ITO[0]
EPISODE_COLOUR: Final = OKABE_ITO[1]
SYMPTOM_COLOURS: Final[tuple[RGB, ...]] = (OKABE_ITO[2], OKABE_ITO[3], OKABE_ITO[5],
                                            OKABE_ITO[4], OKABE_ITO[6])
