using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;

namespace EfCoreService;

/// <summary>A user as stored and as answered (JSON: id, name, email, created_at, updated_at).</summary>
internal sealed class User
{
    [JsonPropertyName("id")]
    public long Id { get; set; }

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("email")]
    public string Email { get; set; } = "";

    [JsonPropertyName("created_at")]
    public DateTime CreatedAt { get; set; }

    [JsonPropertyName("updated_at")]
    public DateTime UpdatedAt { get; set; }
}

/// <summary>The body of POST and PUT /users.</summary>

internal sealed class UsersDb(DbContextOptions<UsersDb> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    protected override void OnModelCreating(ModelBuilder model) => model.Entity<User>(user =>
    {
        user.ToTable("users");
        user.Property(u => u.Id).HasColumnName("id");
        user.Property(u => u.Name).HasColumnName("name").IsRequired();
        user.Property(u => u.Email).HasColumnName("email").IsRequired();
        user.Property(u => u.CreatedAt).HasColumnName("created_at");
        user.Property(u => u.UpdatedAt).HasColumnName("updated_at");
        user.HasIndex(u => u.Email).IsUnique();
    });
}
