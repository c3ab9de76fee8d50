#!/usr/bin/env python3
"""Where the native binary's bytes go, per assembly: reads the map ILC writes with
-p:IlcGenerateMapFile=true (agent/obj/Release/net10.0/<rid>/native/agent.map.xml) and sums
compiled code, type structures and generic dictionaries by the assembly prefix of each symbol.
Usage: bench/size-by-assembly.py MAP.xml [top=15]"""
import collections, re, sys

NODE = re.compile(r'<(\w+) Name="([^"]*)" Length="(\d+)"')
PER_SYMBOL = {'MethodCode', 'ConstructedEEType', 'EETypeNode', 'GCInfo', 'TypeGenericDictionary', 'MethodGenericDictionary'}
ASSEMBLIES = ['S_P_CoreLib', 'S_P_Reflection', 'System_Net_Http', 'System_Net_Security', 'System_Net_Sockets',
              'System_Net_Primitives', 'System_Text_Json', 'System_Text_RegularExpressions', 'System_Linq',
              'System_Collections', 'System_CommandLine', 'System_Security_Cryptography', 'System_Private_Uri',
              'Docker_DotNet', 'Google_Protobuf', 'Tomlyn', 'Snappier', 'Microsoft_Extensions', 'System_IO_Compression',
              'System_Console', 'System_Memory', 'System_Runtime', 'System_Diagnostics', 'agent_', 'System_Threading',
              'System_Formats', 'System_ComponentModel', 'System_IO']

def assembly(name):
    name = re.sub(r'^_ZTV\d+', '', name)
    name = re.sub(r'^__GenericDict_|^__', '', name)
    best = ''
    for prefix in ASSEMBLIES:
        if name.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return best or 'other (boxed, arrays, runtime)'

by_assembly, by_kind = collections.Counter(), collections.Counter()
for line in open(sys.argv[1], encoding='utf-8'):
    m = NODE.search(line)
    if not m:
        continue
    kind, name, length = m.group(1), m.group(2), int(m.group(3))
    by_kind[kind] += length
    if kind in PER_SYMBOL:
        by_assembly[assembly(name)] += length
top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
print('by assembly (code, types, GC info, generic dictionaries):')
for name, length in by_assembly.most_common(top):
    print(f'  {name:<34} {length / 1024:8.0f} KiB')
print('by kind:')
for name, length in by_kind.most_common(8):
    print(f'  {name:<34} {length / 1024:8.0f} KiB')
