"""The pure core: frozen values and rules over them. Nothing here performs I/O."""
