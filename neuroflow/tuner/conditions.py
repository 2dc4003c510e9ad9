"""When a conditional hyperparameter is active: `Parent(name, values)` (KerasTuner's `conditions.Parent`)."""


class Parent:
    """Active when the hyperparameter `name` currently has one of `values`.

    Args:
        name: the parent hyperparameter's name.
        values: the parent's values that activate the child (one value or a list).
    """

    def __init__(self, name, values):
        self.name = name
        values = values if isinstance(values, (list, tuple)) else [values]
        if not values:
            raise ValueError(f"conditional_scope('{name}', ...): parent_values must name at least one value")
        self.values = list(values)

    def is_active(self, values):
        """Whether the condition holds for the current `values` (a dict of name -> value)."""
        return self.name in values and values[self.name] in self.values

    def __eq__(self, other):
        return isinstance(other, Parent) and other.name == self.name and other.values == self.values

    def __hash__(self):
        return hash((self.name, tuple(self.values)))

    def __repr__(self):
        return f"Parent(name={self.name!r}, values={self.values!r})"

    def get_config(self):
        return {"name": self.name, "values": list(self.values)}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
