"""The teaching panels: inspector with worked formulas, activation gallery, predict-then-
reveal, lessons and presenter mode."""
