"""allot: which employee gets a customer — the allocation engine, in Python.

The same engine as the C++ library and the `allot` command (SPEC §2, §6)::

    import allot

    engine = allot.Engine(pathlib.Path("examples/retail/config.txtpb"))
    state = allot.State()
    decision = engine.decide(event, state)   # pure: `state` is unchanged
    engine.apply(decision, state)            # commit (version-checked)
    decisions = allot.replay(engine, events, state)   # what `allot replay` writes, as dicts

Events and decisions are dicts in the CLI's JSON form. Bad input raises `allot.Error` (a
`ValueError`) naming the field path or the event's index and changes nothing.
`replay_frame` gives one row per outcome, as a pandas DataFrame when pandas is installed.
"""

from __future__ import annotations

from typing import Any

from allot._allot import (
    Engine,
    Error,
    State,
    __version__,
    _register_decision_type,
    parse_config,
    replay,
    validate,
)


class Decision(dict):  # type: ignore[type-arg]
    """What `Engine.decide` or `Engine.step` answered for one event.

    A dict equal to the line `allot replay` writes for the event (`assignments`, `held`,
    `rejections`, `tags_added`, `alerts`, ... with snake_case keys and enum names; fields at
    their default are left out). Behind it the decision keeps its state change, which
    `Engine.apply` commits: editing the dict does not change what `apply` does. Copies and
    pickles are plain dicts.
    """

    __slots__ = ("_handle",)

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))


_register_decision_type(Decision)

from allot.frame import COLUMNS, replay_columns, replay_frame  # noqa: E402

for _public in (Engine, Error, State, Decision):
    _public.__module__ = "allot"
del _public

__all__ = [
    "COLUMNS",
    "Decision",
    "Engine",
    "Error",
    "State",
    "__version__",
    "parse_config",
    "replay",
    "replay_columns",
    "replay_frame",
    "validate",
]
