"""The shell front-end: a tree-sitter-bash walk (scanner.py) and the helpers it hands nodes to,
which see the scanner only through `ScannerProtocol` (protocol.py)."""
