"""Tuples with named fields, printed and compared as CPython's struct sequences (os.stat_result and the like)."""


def structseq(qualified_name, fields):
    """A tuple type named qualified_name ("module.name") whose items are also the attributes fields."""
    module, _, name = qualified_name.rpartition(".")

    class StructSeq(tuple):
        n_sequence_fields = len(fields)
        n_fields = len(fields)
        n_unnamed_fields = 0

        def __new__(cls, values):
            values = tuple(values)
            if len(values) != len(fields):
                raise TypeError("%s() takes a %d-sequence (%d-sequence given)"
                                % (qualified_name, len(fields), len(values)))
            return tuple.__new__(cls, values)

        def __repr__(self):
            return "%s(%s)" % (qualified_name, ", ".join("%s=%r" % pair for pair in zip(fields, self)))

        def __reduce__(self):
            return (type(self), (tuple(self),))

    for index, field in enumerate(fields):
        setattr(StructSeq, field, property(lambda self, index=index: tuple.__getitem__(self, index)))
    StructSeq.__name__ = name
    StructSeq.__module__ = module
    return StructSeq
