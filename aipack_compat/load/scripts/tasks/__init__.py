"""Task-runner front-ends: package.json scripts, editor tasks.json (VS Code, Zed), go-task's
Taskfile, justfiles (just/); each builds the shell text its runner would run (core/source_map.py)."""
