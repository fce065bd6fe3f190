import numpy as np
import fastrelu as fr  # finds libfastrelu.so via FASTRELU_LIBRARY or the loader

x = np.array([-2.0, -0.5, 0.0, 0.5, 1.0, 4.0], dtype=np.float32)
y, mask = fr.leaky_relu_mask(x, alpha=0.1)   # y and a packed 1-bit mask of x > 0
dx = fr.leaky_relu_backward_mask(mask, np.ones_like(x), alpha=0.1)
print(fr.get_isa(), y, dx, np.unpackbits(mask, bitorder="little")[: x.size])

fr.relu(x[::-1], out=x[::-1])                 # strided views and in place
h = np.array([-1, 2], dtype=np.float16)       # float16; uint16 holds bfloat16
print(x, fr.relu(h))
try:
    fr.relu(x[1:], out=x[:-1])                # overlapping output
except fr.OverlapError as e:
    print("error:", e)
