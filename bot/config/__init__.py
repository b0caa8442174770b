"""Reading the configuration: ``environment`` (secrets and endpoints from environment
variables), ``network`` (the built-in Mali network and an optional TOML file, checked and built
into a ``Network``), ``reader`` (the TOML tables and where each key was set) and ``problems``
(what is wrong, located, all collected for ``reseau-bot check``)."""
