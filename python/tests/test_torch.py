# The PyTorch binding: gradients, fallback equivalence, training, saved-tensor memory.
import pytest

torch = pytest.importorskip("torch")
import fastrelu.torch as frt  # noqa: E402


def away_from_zero(x, gap=0.05):
    # gradcheck's finite differences must not straddle the kink at 0
    return x + torch.sign(x) * gap


def special(dtype):
    vals = [0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1.0, -1.0,
            1e-30, -1e-30, 3.5, -2.25]
    return torch.tensor(vals, dtype=torch.float32).to(dtype)


@pytest.mark.parametrize("alpha", [None, 0.01, -0.7])
def test_gradcheck_f64(alpha):
    x = away_from_zero(torch.randn(3, 17, dtype=torch.float64)).requires_grad_()
    f = frt.relu if alpha is None else (lambda t: frt.leaky_relu(t, alpha))
    assert torch.autograd.gradcheck(f, (x,))
    # the fallback path (a non-contiguous view) too
    xt = x.detach().t().requires_grad_()
    assert not xt.is_contiguous()
    assert torch.autograd.gradcheck(f, (xt,))


INT = {2: torch.int16, 4: torch.int32, 8: torch.int64}


def ibits(t):
    return t.contiguous().view(INT[t.element_size()])


def same_bits(a, b):
    """Equal bit for bit, except that NaNs need only be NaN in both."""
    nan = torch.isnan(a.float())
    assert torch.equal(nan, torch.isnan(b.float()))
    assert torch.equal(ibits(a)[~nan], ibits(b)[~nan])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16, torch.float16])
@pytest.mark.parametrize("alpha", [None, 0.01, 0.3])
def test_fast_path_equals_fallback(dtype, alpha):
    g = torch.Generator().manual_seed(1)
    x = torch.cat([torch.randn(1000, generator=g).to(dtype) * 3, special(dtype)])
    dy = torch.randn(x.shape, generator=g).to(dtype)
    x.requires_grad_()
    fn = frt.relu if alpha is None else (lambda t: frt.leaky_relu(t, alpha))
    y = fn(x)
    y.backward(dy)
    # the same computation on a non-contiguous copy takes the PyTorch path
    xs = torch.empty(2 * x.numel(), dtype=dtype)[::2]
    xs.copy_(x.detach())
    xs.requires_grad_()
    assert not xs.is_contiguous()
    ys = fn(xs)
    ys.backward(dy)
    same_bits(y.detach(), ys.detach())
    same_bits(x.grad, xs.grad)
    if alpha is None:  # relu maps -0.0 to +0.0 and keeps a NaN's bits
        assert ibits(y.detach())[-10] == 0
        assert ibits(y.detach())[-7] == ibits(x.detach())[-7]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_matches_torch_on_ordinary_data(dtype):
    # Ordinary data: no NaN, no -0.0, where torch's own relu may differ.
    g = torch.Generator().manual_seed(2)
    x = (torch.randn(4, 257, generator=g) * 2).to(dtype).requires_grad_()
    dy = torch.randn(4, 257, generator=g).to(dtype)
    for ours, theirs in ((frt.ReLU(), torch.nn.ReLU()),
                         (frt.LeakyReLU(0.1), torch.nn.LeakyReLU(0.1))):
        x.grad = None
        y = ours(x)
        y.backward(dy)
        gx = x.grad.clone()
        x.grad = None
        y2 = theirs(x)
        y2.backward(dy)
        assert torch.equal(y, y2)
        assert torch.equal(gx, x.grad)


def test_other_inputs_fall_back():
    x = torch.randn(5, 6, dtype=torch.float64)[:, ::2].requires_grad_()
    y = frt.leaky_relu(x, 0.2)
    y.sum().backward()
    assert torch.equal(y, torch.where(x > 0, x, x * 0.2))
    assert torch.equal(x.grad, torch.where(x > 0, torch.ones_like(x), torch.full_like(x, 0.2)))
    xi = torch.arange(-3, 3)  # integers: PyTorch semantics, no gradient
    assert frt.relu(xi).tolist() == [0, 0, 0, 0, 1, 2]


def saved_bytes(fn):
    """Bytes of tensors autograd saves while fn runs: (all, distinct storages)."""
    seen = {}
    total = [0]

    def pack(t):
        nbytes = t.numel() * t.element_size()
        total[0] += nbytes
        seen[t.data_ptr()] = max(seen.get(t.data_ptr(), 0), nbytes)
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn()
    return out, total[0], sum(seen.values())


def mlp(act):
    return torch.nn.Sequential(
        torch.nn.Linear(32, 256), act(), torch.nn.Linear(256, 256), act(),
        torch.nn.Linear(256, 1))


@pytest.mark.parametrize("ours,theirs", [(frt.ReLU, torch.nn.ReLU),
                                         (lambda: frt.LeakyReLU(0.05),
                                          lambda: torch.nn.LeakyReLU(0.05))])
def test_training_identical_losses(ours, theirs, capsys):
    # Ordinary synthetic data (no NaN, no exact zeros in the pre-activations in
    # practice), so the library's relu(-0.0) = +0.0 never shows.
    torch.manual_seed(0)
    X = torch.randn(512, 32)
    Y = torch.sin(X[:, :1] * 2) + X[:, 1:2] * X[:, 2:3]
    a, b = mlp(ours), mlp(theirs)
    b.load_state_dict(a.state_dict())
    opt_a = torch.optim.SGD(a.parameters(), lr=0.05, momentum=0.9)
    opt_b = torch.optim.SGD(b.parameters(), lr=0.05, momentum=0.9)
    losses_a, losses_b = [], []
    for step in range(300):
        i = torch.arange(step * 64, step * 64 + 64) % X.shape[0]
        for model, opt, losses in ((a, opt_a, losses_a), (b, opt_b, losses_b)):
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(X[i]), Y[i])
            loss.backward()
            opt.step()
            losses.append(loss.item())
    assert losses_a == losses_b  # identical, step for step
    assert losses_a[-1] < 0.5 * losses_a[0]
    with capsys.disabled():
        print("\n  %s: 300 steps, loss %.4f -> %.4f, identical to %s at every step"
              % (type(a[1]).__name__, losses_a[0], losses_a[-1], type(b[1]).__name__))


def test_saved_tensor_memory(capsys):
    torch.manual_seed(0)
    h = torch.randn(256, 1024, requires_grad=True)
    n = h.numel()
    _, ours, _ = saved_bytes(lambda: frt.ReLU()(h))
    _, theirs, _ = saved_bytes(lambda: torch.nn.ReLU()(h))
    assert theirs == 4 * n  # torch keeps the float32 output
    assert ours == (n + 7) // 8  # the packed mask
    assert ours * 32 == theirs

    X = torch.randn(512, 32)
    model_a, model_b = mlp(frt.ReLU), mlp(torch.nn.ReLU)
    _, a_all, a_distinct = saved_bytes(lambda: model_a(X).sum())
    _, b_all, b_distinct = saved_bytes(lambda: model_b(X).sum())
    with capsys.disabled():
        print("\n  saved for backward by one activation of %d float32 elements:"
              " nn.ReLU %d bytes, fastrelu.torch.ReLU %d bytes (1/%d)"
              % (n, theirs, ours, theirs // ours))
        print("  whole MLP (32-256-256-1, batch 512), all saved tensors:"
              " nn.ReLU %d bytes, fastrelu %d bytes" % (b_all, a_all))
        print("  whole MLP, distinct storages (the next Linear keeps the"
              " activation output anyway): nn.ReLU %d, fastrelu %d"
              % (b_distinct, a_distinct))
