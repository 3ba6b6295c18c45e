"""The ``stepforce`` command line: thin click commands over the generator and the client."""
