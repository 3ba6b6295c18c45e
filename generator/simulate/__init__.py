"""``stepforce simulate``: the engine's state machine in Python, and scenarios for both engines.

:func:`~stepforce.generator.simulate.engine.simulate` is a pure function of (orchestration,
fixtures, control actions) -> :class:`~stepforce.generator.simulate.trace.Trace`.
"""
