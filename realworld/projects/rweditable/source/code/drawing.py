import rweditable.shapes


def render(shape: "rweditable.shapes.Shape") -> str:
    if not isinstance(shape, rweditable.shapes.Shape):
        raise TypeError(f"not a Shape of the current rweditable.shapes: {shape!r}")
    return f"<{shape.name}>"
