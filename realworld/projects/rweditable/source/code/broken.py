raise RuntimeError("rweditable.broken fails on import, on purpose")
