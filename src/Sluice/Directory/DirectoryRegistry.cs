using System.Diagnostics.CodeAnalysis;

namespace Sluice.Directories;

/// <summary>The configured directories by id (<c>[directory.&lt;id&gt;]</c>); ids compare ignoring case.</summary>
public sealed class DirectoryRegistry
{
    private readonly Dictionary<string, IDirectory> _byId = new(StringComparer.OrdinalIgnoreCase);

    /// <exception cref="ArgumentException">Two directories have the same id.</exception>
    public DirectoryRegistry(IEnumerable<IDirectory> directories)
    {
        ArgumentNullException.ThrowIfNull(directories);
        foreach (var directory in directories)
        {
            if (!_byId.TryAdd(directory.Id, directory))
            {
                throw new ArgumentException($"two directories have the id '{directory.Id}'", nameof(directories));
            }
        }
    }

    /// <summary>No directories (the development default).</summary>
    public static DirectoryRegistry Empty { get; } = new([]);

    public int Count => _byId.Count;

    public IReadOnlyCollection<string> Ids => _byId.Keys;

    public IDirectory this[string id] => _byId.TryGetValue(id, out var directory)
        ? directory
        : throw new KeyNotFoundException($"no [directory.{id}] is defined");

    public bool TryGet(string id, [NotNullWhen(true)] out IDirectory? directory) => _byId.TryGetValue(id, out directory);
}
