"""The tutorial's code, transcribed: used by the tutorial test and by benchmarks/bench.py."""

import numpy as np


def tutorial_transcription(W1, b1, W2, b2, epochs):
    """The tutorial's code with its scope bugs fixed: forward returns the hidden output
    and backward receives it and the learning rate. Nothing else changed."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    y = np.array([[0], [1], [1], [0]])
    learning_rate = 0.1

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    def sigmoid_derivative(x):
        return x * (1 - x)

    def forward(x):
        hidden_input = np.dot(x, W1) + b1
        hidden_output = sigmoid(hidden_input)
        final_input = np.dot(hidden_output, W2) + b2
        return hidden_output, sigmoid(final_input)

    def backward(x, y, hidden_output, output):
        nonlocal W1, W2, b1, b2
        error = y - output
        d_output = error * sigmoid_derivative(output)
        error_hidden = d_output.dot(W2.T)
        d_hidden = error_hidden * sigmoid_derivative(hidden_output)
        W2 += hidden_output.T.dot(d_output) * learning_rate
        W1 += x.T.dot(d_hidden) * learning_rate
        b2 += np.sum(d_output, axis=0, keepdims=True) * learning_rate
        b1 += np.sum(d_hidden, axis=0, keepdims=True) * learning_rate

    for _ in range(epochs):
        hidden_output, output = forward(X)
        backward(X, y, hidden_output, output)
    return W1, b1, W2, b2, forward(X)[1]
