# The only entry point people need on Windows. Verbs: build | test | publish [RID] | run
param(
    [Parameter(Position = 0)][string]$Verb = "build",
    [Parameter(Position = 1)][string]$Rid = ""
)
$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot

if ($Rid -eq "") {
    if ($IsLinux) { $Rid = "linux-x64" } elseif ($IsMacOS) { $Rid = "osx-arm64" } else { $Rid = "win-x64" }
}
$commit = (git rev-parse --short=12 HEAD 2>$null)
if (-not $commit) { $commit = "unknown" }

function Publish-Agent {
    if ($Rid -notin @("linux-x64", "linux-arm64", "win-x64", "osx-arm64", "osx-x64")) {
        Write-Error "build.ps1: unsupported RID '$Rid' (linux-x64, linux-arm64, win-x64, osx-arm64)"
        exit 2
    }
    dotnet publish agent/agent.csproj -c Release -r $Rid -o "artifacts/$Rid" "-p:SourceRevisionId=$commit" -nologo
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

switch ($Verb) {
    "build" { dotnet build agent.sln -nologo; exit $LASTEXITCODE }
    "test" { dotnet test --solution agent.sln; exit $LASTEXITCODE }
    "publish" { Publish-Agent }
    "run" {
        $exe = if ($Rid.StartsWith("win")) { "artifacts/$Rid/agent.exe" } else { "artifacts/$Rid/agent" }
        if (-not (Test-Path $exe)) { Publish-Agent }
        if (-not $env:AGENT_DATA_DIR) { $env:AGENT_DATA_DIR = Join-Path $PWD ".data" }
        & $exe run --config agent.toml.example
        exit $LASTEXITCODE
    }
    default { Write-Error "usage: ./build.ps1 build | test | publish [RID] | run"; exit 2 }
}
