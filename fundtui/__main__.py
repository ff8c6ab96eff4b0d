from fundtui.launch import main

raise SystemExit(main())
