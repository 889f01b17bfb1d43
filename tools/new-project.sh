#!/usr/bin/env bash
# Creates a workspace project with the standard targets: tools/new-project.sh libs/NAME "type:lib,layer:pure" "description"
set -euo pipefail
dir=$1; tags=$2; desc=$3
name=$(basename "$dir")
rel=$(realpath --relative-to="$dir" .)
mkdir -p "$dir/src"
tagjson=$(printf '%s' "$tags" | awk -F, '{for(i=1;i<=NF;i++){printf "%s\"%s\"", (i>1?", ":""), $i}}')
cat > "$dir/package.json" <<JSON
{
  "name": "@sigstack/$name",
  "version": "0.0.0",
  "private": true,
  "description": "$desc",
  "type": "module",
  "exports": {
    ".": {
      "@sigstack/source": "./src/index.ts",
      "types": "./dist/index.d.ts",
      "default": "./dist/index.js"
    }
  }
}
JSON
cat > "$dir/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "$rel/node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$dir/src",
  "projectType": "library",
  "tags": [$tagjson],
  "targets": {
    "build": {},
    "typecheck": {},
    "lint": {},
    "test": {}
  }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "$rel/tsconfig.base.json",
  "compilerOptions": { "noEmit": true },
  "include": ["src/**/*.ts", "test/**/*.ts", "vitest.config.ts"]
}
JSON
cat > "$dir/tsconfig.lib.json" <<JSON
{
  "extends": "$rel/tsconfig.base.json",
  "compilerOptions": {
    "rootDir": "src",
    "outDir": "dist",
    "customConditions": [],
    "tsBuildInfoFile": "dist/tsconfig.lib.tsbuildinfo"
  },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.test.ts"]
}
JSON
cat > "$dir/vitest.config.ts" <<TS
import { mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '$rel/vitest.shared.js';

export default mergeConfig(sharedTestConfig, {});
TS
[ -f "$dir/src/index.ts" ] || echo "export {};" > "$dir/src/index.ts"

# Apps: `tools/new-project.sh apps/NAME "type:app" "..."` also gets serve and bench targets,
# and an entry point, src/main.ts, that the serve target runs from dist/.
if [ "${dir%%/*}" = "apps" ]; then
  python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
p = f"{d}/project.json"
j = json.load(open(p))
j["projectType"] = "application"
j["targets"]["serve"] = {}
json.dump(j, open(p, "w"), indent=2)
open(p, "a").write("\n")
PY
fi
