#!/usr/bin/python3
"""The rates of torch.optim.lr_scheduler (Debian's python3-torch), the reference of cue's
schedules: for each case, its name and the rate after construction and after each of 39 steps,
as Python's repr (so the C++ test compares them exactly). The cases are those of
tests/callbacks/learning_rate_schedule.cpp."""
import warnings

import torch
from torch.optim import SGD
from torch.optim import lr_scheduler as s

warnings.filterwarnings("ignore")
STEPS = 39
CASES = {
    "step": lambda o: s.StepLR(o, step_size=7, gamma=0.5),
    "multi_step": lambda o: s.MultiStepLR(o, milestones=[3, 10, 10, 25], gamma=0.3),
    "exponential": lambda o: s.ExponentialLR(o, gamma=0.93),
    "linear": lambda o: s.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=12),
    "polynomial": lambda o: s.PolynomialLR(o, total_iters=30, power=2.0),
    "cosine": lambda o: s.CosineAnnealingLR(o, T_max=9, eta_min=0.001),
    "warm_restarts": lambda o: s.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=1e-4),
    "one_cycle": lambda o: s.OneCycleLR(o, max_lr=0.5, total_steps=40, pct_start=0.25),
    "one_cycle_linear_3": lambda o: s.OneCycleLR(o, max_lr=0.5, total_steps=40, anneal_strategy="linear",
                                                 three_phase=True),
    "warmup_then_cosine": lambda o: s.SequentialLR(o, [s.LinearLR(o, start_factor=0.2, total_iters=5),
                                                       s.CosineAnnealingLR(o, T_max=20, eta_min=0.001)], milestones=[5]),
    "exponential_then_step": lambda o: s.SequentialLR(o, [s.ExponentialLR(o, gamma=0.8),
                                                          s.StepLR(o, step_size=4, gamma=0.5)], milestones=[10]),
}
for name, make in CASES.items():
    optimizer = SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
    scheduler = make(optimizer)
    rates = [optimizer.param_groups[0]["lr"]]
    for _ in range(STEPS):
        optimizer.step()
        scheduler.step()
        rates.append(optimizer.param_groups[0]["lr"])
    print(name, " ".join(repr(r) for r in rates))
