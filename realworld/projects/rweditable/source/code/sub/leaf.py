from rweditable import Shape

LEAF = Shape("leaf")
