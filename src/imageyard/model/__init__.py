"""The shared nouns of imageyard: frozen dataclasses with no I/O."""
