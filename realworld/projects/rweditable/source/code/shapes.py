import rweditable.drawing  # a cycle: drawing imports shapes back


class Shape:
    def __init__(self, name: str) -> None:
        self.name = name

    def draw(self) -> str:
        return rweditable.drawing.render(self)
