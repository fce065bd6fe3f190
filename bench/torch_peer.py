# fastrelu (its C entry points through ctypes) against PyTorch and NumPy, interleaved, f32: usage: python3 bench/torch_peer.py LIBFASTRELU.so
# GB/s = 8n bytes / time, medians of 7; torch.relu takes no out=, so clamp_min(out=) stands for it.
import ctypes, statistics, sys, time
import numpy as np
import torch
lib = ctypes.CDLL(sys.argv[1])
I, P = ctypes.c_int64, ctypes.c_void_p
lib.fr_srelu.argtypes = [I, P, I, P, I]
lib.fr_sleaky_relu.argtypes = [I, ctypes.c_float, P, I, P, I]
lib.fr_set_num_threads.argtypes = [ctypes.c_int]
print("torch", torch.__version__, "numpy", np.__version__, "capability:", getattr(getattr(torch.backends, "cpu", None), "get_cpu_capability", lambda: "?")())

def bench(fns, nbytes, reps=7, target=0.02):
    res = {k: [] for k in fns}
    for k, f in fns.items():
        f()
    loops = {}
    for k, f in fns.items():
        t = time.perf_counter(); c = 0
        while time.perf_counter() - t < target / 4:
            f(); c += 1
        loops[k] = max(1, int(c * 4))
    for _ in range(reps):
        for k, f in fns.items():
            L = loops[k]
            t = time.perf_counter()
            for _ in range(L):
                f()
            res[k].append(nbytes * L / (time.perf_counter() - t) / 1e9)
    return {k: statistics.median(v) for k, v in res.items()}

def run(n, threads):
    torch.set_num_threads(threads); lib.fr_set_num_threads(threads)
    xt = torch.rand(n) * 2 - 1; yt = torch.empty(n)
    x = xt.numpy(); y = yt.numpy()
    xp, yp = x.ctypes.data, y.ctypes.data
    fns = {
        "memcpy(torch copy_)": lambda: yt.copy_(xt),
        "fastrelu relu": lambda: lib.fr_srelu(n, xp, 1, yp, 1),
        "torch clamp_min(out=)": lambda: torch.clamp_min(xt, 0.0, out=yt),
        "numpy maximum(out=)": lambda: np.maximum(x, np.float32(0), out=y),
        "fastrelu leaky": lambda: lib.fr_sleaky_relu(n, 0.01, xp, 1, yp, 1),
        "torch leaky_relu(out=)": lambda: torch._C._nn.leaky_relu(xt, 0.01, out=yt),
    }
    r = bench(fns, 8 * n)
    for k, v in r.items():
        print("  n=%-9d threads=%-2d %-24s %7.1f GB/s" % (n, threads, k, v), flush=True)

for n in (1 << 10, 16 << 10, 256 << 10, 4 << 20, 64 << 20):
    run(n, 1)
for t in (4, 8, 16):
    run(64 << 20, t)
