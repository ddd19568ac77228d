"""Hand-over to other engines: PyTorch (safetensors state dict) and ONNX Runtime (an ONNX graph
with ONNX's own RNN / GRU / LSTM operators). Builds on nn/, data/ and train/; nothing in them
imports this."""
