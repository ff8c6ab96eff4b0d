from fundtui.cli import main

raise SystemExit(main())
