"""safetensors files written and read with numpy alone (no safetensors package).

A file is an 8-byte little-endian header length, a JSON header mapping each tensor name to
``{"dtype", "shape", "data_offsets"}`` (plus ``"__metadata__"``: strings), then the data. bf16 has
no numpy dtype: it travels as its uint16 bit patterns (see ``host_array``).
"""
import json
import struct

import numpy as np

_NUMPY_TO_SAFETENSORS = {
    np.dtype("float16"): "F16",
    np.dtype("float32"): "F32",
    np.dtype("float64"): "F64",
    np.dtype("int32"): "I32",
    np.dtype("int64"): "I64",
}
_SAFETENSORS_TO_NUMPY = {v: k for k, v in _NUMPY_TO_SAFETENSORS.items()}


class Tensor:
    """An array and its safetensors dtype name (needed for BF16, stored as uint16 bits)."""

    def __init__(self, array, dtype):
        self.array = np.ascontiguousarray(array)
        self.dtype = dtype


def host_array(x, name):
    """A numpy array or torch tensor as a Tensor on the host (bf16 kept bit for bit)."""
    if isinstance(x, Tensor):
        return x
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # a torch tensor, on any device
        import torch  # only reached when the caller passed one

        t = x.detach().cpu().contiguous()
        if t.dtype == torch.bfloat16:
            return Tensor(t.view(torch.int16).numpy().view(np.uint16), "BF16")
        x = t.numpy()
    a = np.asarray(x)
    if a.dtype.name == "bfloat16":  # ml_dtypes' bfloat16
        return Tensor(a.view(np.uint16), "BF16")
    if a.dtype.kind in "iu" and a.dtype not in _NUMPY_TO_SAFETENSORS:
        a = a.astype(np.int64)
    if a.dtype not in _NUMPY_TO_SAFETENSORS:
        raise TypeError(f"{name}: dtype {a.dtype} is not supported (float16, bfloat16, float32, float64 or integers)")
    return Tensor(a, _NUMPY_TO_SAFETENSORS[a.dtype])


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: array or Tensor} (numpy or torch) and string metadata to ``path``."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name, value in tensors.items():
        t = host_array(value, name)
        data = t.array.astype(t.array.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": t.dtype, "shape": list(t.array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode("utf-8")
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    """Returns ({name: numpy array}, metadata). BF16 tensors come back as float32 (exact)."""
    with open(path, "rb") as f:
        raw = f.read()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + length].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data = raw[8 + length :]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        if info["dtype"] == "BF16":
            bits = np.frombuffer(data[begin:end], dtype="<u2").astype(np.uint32) << 16
            array = bits.view(np.float32)
        else:
            array = np.frombuffer(data[begin:end], dtype=_SAFETENSORS_TO_NUMPY[info["dtype"]].newbyteorder("<"))
        tensors[name] = array.reshape(info["shape"]).copy()
    return tensors, metadata
