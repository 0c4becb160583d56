"""The nbgrader workflow; the only place nbgrader, traitlets and sqlalchemy are imported; never imports execute or cli."""
