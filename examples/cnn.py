"""Two image classifiers in plain torch (no torchvision), shaped as MobileNetV2 and ResNet-18.

The layer shapes follow the published architectures (MobileNetV2: Sandler
et al. 2018, width 1.0; ResNet-18: He et al. 2016); the weights are random
(seeded), the batch norms have random statistics, and both are in eval
mode: inference, batch norms folded into the convolutions by
``fxn-fold-batch-norm``. ``fxn.compile(model)`` compiles a module's
``forward``; the predictors below declare their input so that ``fxn
compile examples/cnn.py`` builds them ahead of time, and ``classify`` puts
the preprocessing predictor of ``examples/preprocess.py`` in front of
MobileNetV2.
"""

from __future__ import annotations

import torch
from torch import nn

import fxn
from preprocess import preprocess  # the neighbouring example (fxn compile puts this folder on sys.path)

#: What the classifiers take: one 3x224x224 f32 image, batched.
INPUT_SHAPE = (1, 3, 224, 224)


def conv_bn(inputs: int, outputs: int, kernel: int, stride: int = 1, groups: int = 1, activation=nn.ReLU6):
    """A convolution without bias, a batch norm and an activation (none if ``activation`` is None)."""
    layers = [nn.Conv2d(inputs, outputs, kernel, stride, kernel // 2, groups=groups, bias=False),
              nn.BatchNorm2d(outputs)]
    if activation is not None:
        layers.append(activation(inplace=True))
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    """MobileNetV2's block: 1x1 expansion, 3x3 depthwise, 1x1 linear projection; a residual when shapes allow."""

    def __init__(self, inputs: int, outputs: int, stride: int, expansion: int):
        super().__init__()
        hidden = inputs * expansion
        layers = [conv_bn(inputs, hidden, 1)] if expansion != 1 else []
        layers += [conv_bn(hidden, hidden, 3, stride, groups=hidden), conv_bn(hidden, outputs, 1, activation=None)]
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and inputs == outputs

    def forward(self, x):
        return x + self.body(x) if self.residual else self.body(x)


class MobileNetV2(nn.Module):
    """MobileNetV2 (width 1.0, 224x224): 17 inverted residual blocks, 1280 features, 1000 classes."""

    #: (expansion, output channels, blocks, first stride), the paper's table 2.
    STAGES = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
              (6, 320, 1, 1))

    def __init__(self, classes: int = 1000):
        super().__init__()
        layers, channels = [conv_bn(3, 32, 3, 2)], 32
        for expansion, outputs, blocks, stride in self.STAGES:
            for i in range(blocks):
                layers.append(InvertedResidual(channels, outputs, stride if i == 0 else 1, expansion))
                channels = outputs
        layers.append(conv_bn(channels, 1280, 1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(1280, classes)

    def forward(self, x):
        features = self.features(x)
        return self.classifier(features.mean((2, 3)))


class BasicBlock(nn.Module):
    """ResNet's block: two 3x3 convolutions with a residual (a 1x1 strided projection when shapes change)."""

    def __init__(self, inputs: int, outputs: int, stride: int):
        super().__init__()
        self.body = nn.Sequential(conv_bn(inputs, outputs, 3, stride, activation=nn.ReLU),
                                  conv_bn(outputs, outputs, 3, activation=None))
        self.shortcut = (conv_bn(inputs, outputs, 1, stride, activation=None)
                         if stride != 1 or inputs != outputs else nn.Identity())

    def forward(self, x):
        return torch.relu(self.body(x) + self.shortcut(x))


class ResNet18(nn.Module):
    """ResNet-18 (224x224): a 7x7 stride-2 stem, max pooling, 4 stages of 2 basic blocks, 1000 classes."""

    def __init__(self, classes: int = 1000):
        super().__init__()
        self.stem = nn.Sequential(conv_bn(3, 64, 7, 2, activation=nn.ReLU), nn.MaxPool2d(3, 2, 1))
        layers, channels = [], 64
        for outputs, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            layers += [BasicBlock(channels, outputs, stride), BasicBlock(outputs, outputs, 1)]
            channels = outputs
        self.layers = nn.Sequential(*layers)
        self.classifier = nn.Linear(512, classes)

    def forward(self, x):
        features = self.layers(self.stem(x))
        return self.classifier(torch.flatten(nn.functional.adaptive_avg_pool2d(features, 1), 1))


def randomized(model: nn.Module, seed: int = 0) -> nn.Module:
    """``model`` with seeded random weights and batch-norm statistics, in eval mode.

    Weights are scaled as He initialization so that activations keep their
    magnitude through the depth (results far from 0 and from overflow).
    """
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                fan_in = module.weight[0].numel()
                module.weight.copy_(torch.randn(module.weight.shape, generator=generator) * (2 / fan_in) ** 0.5)
                if module.bias is not None:
                    module.bias.copy_(torch.randn(module.bias.shape, generator=generator) * 0.1)
            elif isinstance(module, nn.BatchNorm2d):
                size = module.num_features
                module.weight.copy_(1 + 0.1 * torch.randn(size, generator=generator))
                module.bias.copy_(0.1 * torch.randn(size, generator=generator))
                module.running_mean.copy_(0.1 * torch.randn(size, generator=generator))
                module.running_var.copy_(1 + 0.1 * torch.rand(size, generator=generator))
    return model.eval()


MOBILENET_V2 = randomized(MobileNetV2(), seed=0)
RESNET_18 = randomized(ResNet18(), seed=1)


@fxn.compile(tag="@fxn/mobilenet_v2", description="MobileNetV2-shaped classifier (random weights): 1000 scores.")
def mobilenet_v2(image: fxn.Tensor[fxn.f32, 1, 3, 224, 224]):
    return MOBILENET_V2(image)


@fxn.compile(tag="@fxn/resnet_18", description="ResNet-18-shaped classifier (random weights): 1000 scores.")
def resnet_18(image: fxn.Tensor[fxn.f32, 1, 3, 224, 224]):
    return RESNET_18(image)


@fxn.compile(tag="@fxn/classify", description="A 480x640 camera frame, preprocessed, through MobileNetV2.")
def classify(frame: fxn.Tensor[fxn.u8, 480, 640, 3]):
    return MOBILENET_V2(preprocess.fn(frame).unsqueeze(0))


if __name__ == "__main__":
    import numpy as np

    image = np.random.default_rng(0).standard_normal(INPUT_SHAPE, dtype=np.float32)
    for name, predictor, model in (("MobileNetV2", mobilenet_v2, MOBILENET_V2), ("ResNet-18", resnet_18, RESNET_18)):
        with torch.inference_mode():
            expected = model(torch.from_numpy(image)).numpy()
        scores = predictor(image)
        print(f"{name}: {scores.shape} scores, max |fxn - torch| / max |torch| = "
              f"{np.abs(scores - expected).max() / np.abs(expected).max():.1e}")
