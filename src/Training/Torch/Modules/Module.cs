namespace Tracker.Training.Torch.Modules;

/// <summary>
/// A network component, as torch.nn.Module: named parameters, buffers and children registered
/// explicitly, a training flag that reaches every child, state dicts, device moves.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<(string Name, Parameter Value)> _parameters = [];
    private readonly List<(string Name, Tensor Value)> _buffers = [];
    private readonly List<(string Name, Module Value)> _children = [];

    /// <summary>True in training mode (dropout active, batch norm uses batch statistics).</summary>
    public bool training { get; private set; } = true;

    protected T register_module<T>(string name, T module) where T : Module
    {
        EnsureNewName(name);
        _children.Add((name, module));
        return module;
    }

    protected Parameter register_parameter(string name, Parameter parameter)
    {
        EnsureNewName(name);
        _parameters.Add((name, parameter));
        return parameter;
    }

    /// <summary>Registers state that is saved and moved but not trained (running statistics).</summary>
    protected Tensor register_buffer(string name, Tensor buffer)
    {
        EnsureNewName(name);
        _buffers.Add((name, buffer.DetachFromDisposeScope()));
        return buffer;
    }

    private void EnsureNewName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a valid member name: it must be non-empty and contain no '.'.");
        if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _children.Any(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'.");
    }

    public IEnumerable<(string name, Module module)> named_children() => _children.Select(c => (c.Name, c.Value));

    /// <summary>This module (named "") and every descendant, depth first, with dotted names.</summary>
    public IEnumerable<(string name, Module module)> named_modules()
    {
        yield return ("", this);
        foreach (var (childName, child) in _children)
            foreach (var (name, module) in child.named_modules())
                yield return (name.Length == 0 ? childName : $"{childName}.{name}", module);
    }

    public IEnumerable<(string name, Parameter parameter)> named_parameters()
    {
        foreach (var (prefix, module) in named_modules())
            foreach (var (name, parameter) in module._parameters)
                yield return (Join(prefix, name), parameter);
    }

    public IEnumerable<Parameter> parameters() => named_parameters().Select(p => p.parameter);

    public IEnumerable<(string name, Tensor buffer)> named_buffers()
    {
        foreach (var (prefix, module) in named_modules())
            foreach (var (name, buffer) in module._buffers)
                yield return (Join(prefix, name), buffer);
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";

    public Module train(bool on = true)
    {
        foreach (var (_, module) in named_modules()) module.training = on;
        return this;
    }

    public Module eval() => train(false);

    public void zero_grad()
    {
        foreach (var parameter in parameters()) parameter.ClearGrad();
    }

    /// <summary>Parameters then buffers by dotted name. The tensors are the module's own, not copies: do not dispose them.</summary>
    public Dictionary<string, Tensor> state_dict()
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, parameter) in named_parameters()) state[name] = parameter;
        foreach (var (name, buffer) in named_buffers()) state[name] = buffer;
        return state;
    }

    /// <summary>Copies values into this module's tensors; with strict, names must match exactly.</summary>
    public void load_state_dict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = state_dict();
        if (strict)
        {
            var missing = own.Keys.Except(state.Keys).ToList();
            var unexpected = state.Keys.Except(own.Keys).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new InvalidDataException(
                    $"State does not match {GetType().Name}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}].");
        }
        using var noGrad = torch.no_grad();
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out var source)) continue;
            var (targetShape, sourceShape) = (target.shape, source.shape);
            if (!targetShape.AsSpan().SequenceEqual(sourceShape))
                throw new InvalidDataException($"'{name}' has shape {Tensor.Describe(targetShape)} here but {Tensor.Describe(sourceShape)} in the state.");
            target.copy_(source);
        }
    }

    /// <summary>Moves every parameter and buffer to the device, keeping the same objects (optimizers stay valid).</summary>
    public Module to(Device device)
    {
        foreach (var (_, module) in named_modules())
        {
            foreach (var (_, parameter) in module._parameters)
            {
                var requiresGrad = parameter.requires_grad;
                using (torch.no_grad()) parameter.ReplaceHandle(parameter.to(device));
                parameter.requires_grad = requiresGrad;
            }
            foreach (var (_, buffer) in module._buffers) buffer.ReplaceHandle(buffer.to(device));
        }
        return this;
    }

    public void save(string path) => TensorFile.Save(path, state_dict());

    public void load(string path, bool strict = true) => TensorFile.Read(path, state => load_state_dict(state, strict));

    public void Dispose()
    {
        foreach (var (_, child) in _children) child.Dispose();
        foreach (var (_, parameter) in _parameters) parameter.Dispose();
        foreach (var (_, buffer) in _buffers) buffer.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A module with a typed forward pass, as TorchSharp's Module&lt;T, TResult&gt;.</summary>
public abstract class Module<T, TResult> : Module
{
    public abstract TResult forward(T input);

    public TResult call(T input) => forward(input);
}
