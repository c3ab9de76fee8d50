using Xunit;

namespace Agent.Tests.Support;

/// <summary>
/// Tests that need the machine to themselves: a CPU-share check, a timing-bound rotation or
/// restart race, a burst that saturates dockerd. xunit runs this collection after the parallel
/// ones, one class at a time; beside the rest of the suite on two cores they starve or starve others.
/// </summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;
