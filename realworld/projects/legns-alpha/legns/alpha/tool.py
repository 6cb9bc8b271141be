from legns.alpha import NAME

TOOL = f"{NAME} tool"
