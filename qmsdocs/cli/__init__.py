"""The ``qms`` command: a thin client of the public API. The library never imports it."""
