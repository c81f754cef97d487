"""Building blocks that learn, with no backend contract: the tf-idf vectoriser, row-wise sparse helpers,
the dual ridge solver, label-stratified sampling and the LightGBM ranker. Backends and the default
pipeline are made of them."""
