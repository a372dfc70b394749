"""nn_core: a from-scratch NumPy neural network for 2-D toy problems."""
