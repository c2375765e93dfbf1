"""How the model is written for people: formulas with live numbers, the notation's symbols,
math text and the explain handout."""
