from aipack_compat.cli import main

raise SystemExit(main())
