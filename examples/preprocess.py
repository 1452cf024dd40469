"""Image preprocessing for a classifier: an HxWx3 uint8 image to a normalized 3x224x224 f32 tensor.

Bilinear resize (``F.interpolate``, half-pixel centers as torch's default)
then per-channel normalization with the ImageNet mean and standard
deviation, written with torch ops.

The image is a 480x640 camera frame (numpy array or torch tensor), declared
so that ``fxn compile`` builds it ahead of time; the resampling weights are
compiled in for that size. Annotated ``torch.Tensor`` (or not at all)
instead, the predictor specializes on each image size, as ``tf.function``
does: a 480x640 and a 1080x1920 image each get their own compiled code.

fxn computes the resampling weights exactly and is within 1e-6 of torch in
f64; torch's f32 computes its source coordinates in f32, which moves its
result by up to ~2e-4 (the "max |fxn - torch|" the demo prints).
"""

import numpy as np
import torch
import torch.nn.functional as F

import fxn

SIZE = (224, 224)
MEAN = torch.tensor([0.485, 0.456, 0.406]).reshape(3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).reshape(3, 1, 1)


@fxn.compile(tag="@fxn/preprocess", description="Resize an HxWx3 image to 224x224 (bilinear) and normalize to f32 CHW.")
def preprocess(image: fxn.Tensor[fxn.u8, 480, 640, 3]):
    chw = image.permute(2, 0, 1).float() / 255.0
    resized = F.interpolate(chw.unsqueeze(0), size=SIZE, mode="bilinear", align_corners=False).squeeze(0)
    return (resized - MEAN) / STD


if __name__ == "__main__":
    image = np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    result, expected = preprocess(image), preprocess.fn(torch.from_numpy(image)).numpy()
    print(f"preprocess 480x640x3 -> {result.shape}: max |fxn - torch| = {np.abs(result - expected).max():.2e}")
