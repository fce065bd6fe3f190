import torch
from fastrelu.torch import ReLU, LeakyReLU  # keeps a 1-bit mask for backward

model = torch.nn.Sequential(torch.nn.Linear(8, 16), ReLU(),
                            torch.nn.Linear(16, 16), LeakyReLU(0.1),
                            torch.nn.Linear(16, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x, target = torch.randn(64, 8), torch.randn(64, 1)
for step in range(20):
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x), target)
    loss.backward()
    opt.step()
print("loss", loss.item())
