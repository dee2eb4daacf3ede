using Tracker.Shared;
using Tracker.Training.Regularization;
using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Models;

/// <summary>Size of a <see cref="VisionTransformer"/>.</summary>
public sealed record VitDimensions(int EmbedDim, int Depth, int Heads, int PatchSize, double MlpRatio = 4)
{
    /// <summary>ViT-nano: small enough for CPU training on 28x28 and 32x32 images.</summary>
    public static VitDimensions Nano { get; } = new(EmbedDim: 64, Depth: 6, Heads: 4, PatchSize: 4);

    /// <summary>ViT-Tiny (DeiT-Ti) widths with a 4-pixel patch for small images.</summary>
    public static VitDimensions Tiny { get; } = new(EmbedDim: 192, Depth: 12, Heads: 3, PatchSize: 4);

    public int MlpHiddenDim => (int)(EmbedDim * MlpRatio);
}

/// <summary>
/// The Vision Transformer of timm, as the paper's official code (facebookresearch/dropout) uses it:
/// conv patch embedding, class token, learned position embedding, pre-norm blocks
/// x + drop_path(attn(norm1(x))), x + drop_path(mlp(norm2(x))), final LayerNorm, head on the class token.
/// Dropout sits after the position embedding, on the attention map, after the attention projection, and
/// after GELU and fc2 in every MLP; all take the same rate (attn_drop_rate = drop_rate in the official code).
/// </summary>
public sealed class VisionTransformer : ClassifierModel
{
    private const double NormEps = 1e-6;

    private readonly Conv2d _patchEmbed;
    private readonly Parameter _clsToken, _posEmbed;
    private readonly Dropout _posDrop;
    private readonly Sequential _blocks;
    private readonly LayerNorm _norm;
    private readonly Linear _head;

    public VisionTransformer(long inputChannels, long imageSize, long classes, VitDimensions dimensions, double dropoutRate = 0,
        double dropPathRate = 0, DropConnectSettings? dropConnect = null) : base(inputChannels, imageSize, classes)
    {
        Dimensions = dimensions;
        var (dim, depth, heads, patch) = (dimensions.EmbedDim, dimensions.Depth, dimensions.Heads, dimensions.PatchSize);
        if (dim < 1 || depth < 1 || heads < 1 || patch < 1 || dimensions.MlpHiddenDim < 1)
            throw new ArgumentException($"Every ViT dimension must be positive: {dimensions}.", nameof(dimensions));
        if (dim % heads != 0) throw new ArgumentException($"The embedding dimension {dim} must divide by the head count {heads}.", nameof(dimensions));
        if (imageSize % patch != 0) throw new ArgumentException($"The image size {imageSize} must divide by the patch size {patch}.", nameof(dimensions));
        var tokens = (imageSize / patch) * (imageSize / patch) + 1;

        _patchEmbed = register_module("patch_embed", new Conv2d(inputChannels, dim, kernelSize: patch, stride: patch));
        _clsToken = register_parameter("cls_token", new Parameter(torch.zeros([1, 1, dim]).normal_(0, 0.02)));
        _posEmbed = register_parameter("pos_embed", new Parameter(torch.zeros([1, tokens, dim]).normal_(0, 0.02)));
        _posDrop = register_module("pos_drop", new Dropout(dropoutRate));
        _blocks = new Sequential();
        for (var i = 0; i < depth; i++)
            _blocks.append(new Block(dim, heads, dimensions.MlpHiddenDim, dropoutRate, NewDropPath(i, depth), NewDropPath(i, depth), dropConnect));
        register_module("blocks", _blocks);
        _norm = register_module("norm", new LayerNorm([dim], NormEps));
        _head = register_module("head", new Linear(dim, classes));

        // timm's _init_weights applies to Linear layers only; the patch embedding keeps PyTorch's conv default.
        Layers.InitLinearWeightsNormal(this, std: 0.02);
        SetDropoutRate(dropoutRate);
        SetDropPathRate(dropPathRate);
    }

    public VitDimensions Dimensions { get; }

    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        var batch = input.size(0);
        var patches = _patchEmbed.forward(input).flatten(2).transpose(1, 2); // [B, N, D]
        var cls = _clsToken.expand(batch, -1, -1);
        var x = torch.cat([cls, patches], dim: 1) + _posEmbed;
        x = _posDrop.forward(x);
        x = _blocks.forward(x);
        x = _norm.forward(x);
        return _head.forward(x.select(1, 0));
    }

    private sealed class Block : Module<Tensor, Tensor>
    {
        private readonly LayerNorm _norm1, _norm2;
        private readonly Attention _attn;
        private readonly FeedForward _mlp;
        private readonly DropPath _dropPath1, _dropPath2;

        public Block(long dim, long heads, long mlpHidden, double dropoutRate, DropPath dropPath1, DropPath dropPath2, DropConnectSettings? dropConnect)
        {
            _norm1 = register_module("norm1", new LayerNorm([dim], NormEps));
            _attn = register_module("attn", new Attention(dim, heads, dropoutRate));
            _dropPath1 = register_module("drop_path1", dropPath1);
            _norm2 = register_module("norm2", new LayerNorm([dim], NormEps));
            _mlp = register_module("mlp", new FeedForward(dim, mlpHidden, dropoutRate, dropConnect));
            _dropPath2 = register_module("drop_path2", dropPath2);
        }

        public override Tensor forward(Tensor input)
        {
            using var x = Residual(input, _norm1, _attn, _dropPath1);
            return Residual(x, _norm2, _mlp, _dropPath2);
        }

        // input + dropPath(body(norm(input))), each intermediate freed as soon as the next is made: the
        // step's dispose scope would keep them all until the step ends, while autograd keeps only what it needs.
        private static Tensor Residual(Tensor input, LayerNorm norm, Module<Tensor, Tensor> body, DropPath dropPath)
        {
            using var normed = norm.forward(input);
            using var transformed = body.forward(normed);
            using var dropped = dropPath.forward(transformed);
            return input + dropped;
        }
    }

    private sealed class Attention : Module<Tensor, Tensor>
    {
        private readonly long _heads;
        private readonly double _scale;
        private readonly Linear _qkv, _proj;
        private readonly Dropout _attnDrop, _projDrop;

        public Attention(long dim, long heads, double dropoutRate)
        {
            _heads = heads;
            _scale = 1.0 / Math.Sqrt(dim / heads);
            _qkv = register_module("qkv", new Linear(dim, dim * 3));
            _attnDrop = register_module("attn_drop", new Dropout(dropoutRate));
            _proj = register_module("proj", new Linear(dim, dim));
            _projDrop = register_module("proj_drop", new Dropout(dropoutRate));
        }

        public override Tensor forward(Tensor input)
        {
            var (batch, tokens, channels) = (input.size(0), input.size(1), input.size(2));
            // Training on the CPU: one op that recomputes the attention map in backward instead of keeping
            // it (and its dropped copy): same values and masks, a third less memory per block.
            if (training && input.device.Type == DeviceType.CPU && torch.is_grad_enabled())
            {
                using var projection = _qkv.forward(input);
                using var attended = torch.nn.functional.recomputed_attention(projection, _heads, _scale, _attnDrop.p);
                using var projected = _proj.forward(attended);
                return _projDrop.forward(projected);
            }
            // [B, N, 3D] → [3, B, heads, N, head_dim]
            var qkv = _qkv.forward(input).reshape(batch, tokens, 3, _heads, channels / _heads).permute(2, 0, 3, 1, 4);
            var (q, k, v) = (qkv[0], qkv[1], qkv[2]);
            var attn = q.matmul(k.transpose(-2, -1)) * _scale;
            attn = torch.nn.functional.softmax(attn, dim: -1);
            attn = _attnDrop.forward(attn);
            var x = attn.matmul(v).transpose(1, 2).reshape(batch, tokens, channels);
            return _projDrop.forward(_proj.forward(x));
        }
    }
}
