from legns.beta import NAME

TOOL = f"{NAME} tool"
