"""Where a person stands on a ladder track: the domain core, free of Flask and the database.

``index`` lays a track out as cells, ``rules`` does the arithmetic of a cell and validates
rules, ``gaps`` says what is missing to a level, ``standing`` puts it together.
"""
