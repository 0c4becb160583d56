"""One layer's output shape and parameter count, computed analytically as ``model.summary()`` prints them; standard library only.

Imports nothing from autograder but ``model.evidence`` and its siblings in ``read.code``. What the code does
not determine (an unknown input shape, ``channels_first`` images, a layer type not listed here) is ``None``.
"""
from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from autograder.model.evidence import CodeLayer
from autograder.read.code.values import Shape, _argument, _is_int, _is_number, _ModelRef, _Named, _named, _Tensor

if TYPE_CHECKING:
    from autograder.read.code.evaluator import _Evaluator


_CANONICAL = {
    "Input": "InputLayer", "MaxPool2D": "MaxPooling2D", "AvgPool2D": "AveragePooling2D",
    "Convolution2D": "Conv2D", "GlobalAvgPool2D": "GlobalAveragePooling2D", "GlobalMaxPool2D": "GlobalMaxPooling2D",
}
_PASSTHROUGH = frozenset({
    "Activation", "Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "ReLU",
    "Softmax", "LeakyReLU", "ELU", "ThresholdedReLU", "Rescaling", "ActivityRegularization",
})


@dataclass(frozen=True)
class _Computed:
    params: int | None
    shape: Shape | None
    units: int | None = None
    activation: str | None = None
    rate: float | None = None


def _public(shape: Shape | None) -> tuple[int | None, ...] | None:
    return None if shape is None or Ellipsis in shape else tuple(shape)


def _last(shape: Shape | None) -> int | None:
    return shape[-1] if shape and _is_int(shape[-1]) else None


def _dims(value: Any) -> tuple[int | None, ...] | None:
    if _is_int(value) and value > 0:
        return (value,)
    if isinstance(value, (tuple, list)) and 0 < len(value) <= 8 and all(d is None or (_is_int(d) and d > 0) for d in value):
        return tuple(value)
    return None


def _pair(value: Any) -> tuple[int, int] | None:
    if _is_int(value) and value > 0:
        return (value, value)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(_is_int(v) and v > 0 for v in value):
        return (value[0], value[1])
    return None


def _bias(call: ast.Call, evaluator: _Evaluator) -> int | None:
    use_bias = evaluator.literal(_argument(call, None, "use_bias", "bias"), True)
    return int(use_bias) if isinstance(use_bias, bool) else None


def _activation(call: ast.Call, position: int | None, evaluator: _Evaluator) -> str | None:
    node = _argument(call, position, "activation")
    name = _named(evaluator.value(node)) if node is not None else None
    return name if isinstance(name, str) else None


def _input_spec(call: ast.Call, evaluator: _Evaluator, kind: str) -> Shape | None:
    """The input shape a layer declares (``input_shape``, ``input_dim``, ``Input(shape=…)``), with the batch axis."""
    shape = evaluator.literal(_argument(call, 0 if kind == "InputLayer" else None, "shape", "input_shape"), None)
    if _dims(shape) is not None:
        return (None, *_dims(shape))  # type: ignore[misc]
    batch_shape = evaluator.literal(_argument(call, None, "batch_shape", "batch_input_shape"), None)
    if isinstance(batch_shape, (tuple, list)) and len(batch_shape) > 1 and _dims(batch_shape[1:]) is not None:
        return (batch_shape[0] if _is_int(batch_shape[0]) else None, *_dims(batch_shape[1:]))  # type: ignore[misc]
    input_dim = evaluator.literal(_argument(call, None, "input_dim"), None)
    return (None, input_dim) if _is_int(input_dim) and input_dim > 0 else None


def _spatial(shape: Shape | None) -> tuple[int | None, int | None, int | None] | None:
    """(height, width, channels) of a channels-last image batch; unknown axes None; None if not an image."""
    if shape is None or Ellipsis in shape:
        return None, None, _last(shape)
    if len(shape) != 4:
        return None
    return shape[1], shape[2], shape[3]


def _channels_last(call: ast.Call, evaluator: _Evaluator) -> bool:
    """Only channels-last images are computed, not ``data_format='channels_first'`` / ``dim_ordering='th'``."""
    data_format = evaluator.literal(_argument(call, None, "data_format", "dim_ordering"), None)
    return data_format in (None, "channels_last", "tf")


def _window(size: int | None, kernel: int, stride: int, padding: Any, dilation: int = 1) -> int | None:
    if size is None:
        return None
    if padding == "same":
        return -(-size // stride)
    reach = (kernel - 1) * dilation + 1
    if padding != "valid" or size < reach:
        return None
    return (size - reach) // stride + 1


def _dense(call: ast.Call, shape: Shape | None, evaluator: _Evaluator, name: str) -> _Computed:
    units = evaluator.literal(_argument(call, 0, "units", "output_dim"))
    units = units if _is_int(units) and units > 0 else None
    fan_in, bias = _last(shape), _bias(call, evaluator)
    params = (fan_in + bias) * units if None not in (fan_in, bias, units) else None  # type: ignore[operator]
    out = (*(shape[:-1] if shape else (Ellipsis,)), units)
    return _Computed(params, out, units=units, activation=_activation(call, 1, evaluator))


def _conv2d(call: ast.Call, shape: Shape | None, evaluator: _Evaluator, name: str) -> _Computed:
    literal = evaluator.literal
    filters = literal(_argument(call, 0, "filters", "nb_filter"))
    filters = filters if _is_int(filters) and filters > 0 else None
    keras1 = name == "Convolution2D" and len(call.args) >= 3  # Keras 1: Convolution2D(32, 3, 3)
    if keras1 or _argument(call, None, "nb_row") is not None:
        kernel = _pair([literal(_argument(call, 1, "nb_row")), literal(_argument(call, 2, "nb_col"))])
    else:
        kernel = _pair(literal(_argument(call, 1, "kernel_size")))
    strides = _pair(literal(_argument(call, None if keras1 else 2, "strides", "subsample"), 1))
    padding = literal(_argument(call, None if keras1 else 3, "padding", "border_mode"), "valid")
    dilation = _pair(literal(_argument(call, None, "dilation_rate"), 1))
    spatial, bias = _spatial(shape), _bias(call, evaluator)
    activation = _activation(call, None, evaluator)
    if spatial is None or None in (kernel, strides, dilation) or not _channels_last(call, evaluator):
        return _Computed(None, None, units=filters, activation=activation)
    height, width, channels = spatial
    padding = padding.lower() if isinstance(padding, str) else None
    out_h = _window(height, kernel[0], strides[0], padding, dilation[0])  # type: ignore[index]
    out_w = _window(width, kernel[1], strides[1], padding, dilation[1])  # type: ignore[index]
    known = None not in (channels, bias, filters)
    params = (kernel[0] * kernel[1] * channels + bias) * filters if known else None  # type: ignore[index,operator]
    return _Computed(params, (None, out_h, out_w, filters), units=filters, activation=activation)


def _pooling(call: ast.Call, shape: Shape | None, evaluator: _Evaluator, name: str) -> _Computed:
    literal = evaluator.literal
    pool = _pair(literal(_argument(call, 0, "pool_size"), 2))
    strides_value = literal(_argument(call, 1, "strides"), None)
    strides = pool if strides_value is None else _pair(strides_value)
    padding = literal(_argument(call, 2, "padding", "border_mode"), "valid")
    spatial = _spatial(shape)
    if spatial is None or pool is None or strides is None or not _channels_last(call, evaluator):
        return _Computed(0, None)
    height, width, channels = spatial
    padding = padding.lower() if isinstance(padding, str) else None
    out_h, out_w = _window(height, pool[0], strides[0], padding), _window(width, pool[1], strides[1], padding)
    return _Computed(0, (None, out_h, out_w, channels))


def _global_pooling(call: ast.Call, shape: Shape | None, evaluator: _Evaluator, name: str) -> _Computed:
    return _Computed(0, (None, _last(shape)) if _spatial(shape) is not None else None)


def _flatten(call: ast.Call, shape: Shape | None, evaluator: _Evaluator, name: str) -> _Computed:
    inner = shape[1:] if shape is not None and Ellipsis not in shape else (None,)
    return _Computed(0, (None, math.prod(inner) if None not in inner else None))


def _reshape_layer(call: ast.Call, shape: Shape | None, evaluator: _Evaluator, name: str) -> _Computed:
    target = evaluator.literal(_argument(call, 0, "target_shape", "dims"))
    if not isinstance(target, (tuple, list)) or not all(_is_int(d) and (d > 0 or d == -1) for d in target):
        return _Computed(0, None)
    target = list(target)
    if -1 in target:
        inner = shape[1:] if shape is not None and Ellipsis not in shape else (None,)
        rest = math.prod(d for d in target if d != -1)
        size = math.prod(inner) if None not in inner and target.count(-1) == 1 else None
        missing = size // rest if size is not None and rest and size % rest == 0 else None
        target = [missing if d == -1 else d for d in target]
    return _Computed(0, (None, *target))


def _batch_normalization(call: ast.Call, shape: Shape | None, evaluator: _Evaluator, name: str) -> _Computed:
    literal = evaluator.literal
    axis = literal(_argument(call, 0, "axis"), -1)
    if axis == -1:
        channels = _last(shape)
    elif _is_int(axis) and shape is not None and Ellipsis not in shape and -len(shape) <= axis < len(shape):
        channels = shape[axis]
    else:
        channels = None
    center, scale = literal(_argument(call, None, "center"), True), literal(_argument(call, None, "scale"), True)
    if not _is_int(channels) or not isinstance(center, bool) or not isinstance(scale, bool):
        return _Computed(None, shape)
    return _Computed(channels * (2 + center + scale), shape)  # moving mean and variance, beta, gamma


def _passthrough(call: ast.Call, shape: Shape | None, evaluator: _Evaluator, name: str) -> _Computed:
    """Activation, Dropout and friends: no weights, the shape unchanged."""
    activation = _activation(call, 0 if name == "Activation" else None, evaluator)
    rate = evaluator.literal(_argument(call, 0, "rate", "p")) if "Dropout" in name else None
    return _Computed(0, shape, activation=activation, rate=rate if _is_number(rate) else None)


def _input_layer(call: ast.Call, shape: Shape | None, evaluator: _Evaluator, name: str) -> _Computed:
    return _Computed(0, shape)


_LAYERS: dict[str, Callable[[ast.Call, Shape | None, _Evaluator, str], _Computed]] = {
    "Dense": _dense, "Conv2D": _conv2d, "MaxPooling2D": _pooling, "AveragePooling2D": _pooling,
    "GlobalAveragePooling2D": _global_pooling, "GlobalMaxPooling2D": _global_pooling, "Flatten": _flatten,
    "Reshape": _reshape_layer, "BatchNormalization": _batch_normalization, "InputLayer": _input_layer,
    **{name: _passthrough for name in _PASSTHROUGH},
}


def _build_layer(value: Any, shape: Shape | None, first: bool, evaluator: _Evaluator) -> tuple[CodeLayer, Shape | None]:
    """The layer that ``value`` (a layer call, an ``Input`` tensor, a model) makes of input ``shape``.

    ``first``: the model's first layer, which may declare the input (``input_shape=(784,)``).
    """
    if isinstance(value, _Tensor) and len(value.layers) == 1 and value.layers[0].type == "InputLayer":
        return value.layers[0], value.shape
    if isinstance(value, _ModelRef):
        nested = value.builder
        kind = "Sequential" if nested.layers and nested.layers[0].type != "InputLayer" else "Functional"
        return CodeLayer(kind, nested.total, _public(nested.shape)), nested.shape
    if not isinstance(value, _Named) or value.node is None:
        return CodeLayer("unknown", None), None
    call = value.node
    kind = _CANONICAL.get(value.name, value.name)
    if first:
        shape = _input_spec(call, evaluator, kind) or shape
    computer = _LAYERS.get(kind)
    if computer is None:
        return CodeLayer(kind, None), None
    computed = computer(call, shape, evaluator, value.name)
    shape = computed.shape
    return CodeLayer(kind, computed.params, _public(shape), computed.units, computed.activation, computed.rate), shape


