# Not an identifier, yet importlib.import_module("rweditable.sub.data-2024") loads it.
ROWS = 2024
