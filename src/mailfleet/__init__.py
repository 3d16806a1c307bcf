"""mailfleet: outbound email infrastructure as code.

The package is laid out by layer (see ``docs/architecture.md``):

- ``core``: pure domain values and rules, no I/O;
- ``spec``: the fleet spec's typed models and its YAML loader;
- ``services``: use cases, one module per verb family, written against ports;
- ``adapters``: the outside world (database, vault, clock, providers), each behind a port;
- ``settings`` and ``bootstrap``: typed settings and the one composition root;
- ``cli``: the thin command-line entry point.
"""

__version__ = "0.1.0"
