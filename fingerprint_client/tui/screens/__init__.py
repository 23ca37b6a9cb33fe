"""One screen per module: home, help, the five wizard steps, my requests, a request, settings,
and small dialogs. Every screen derives from `screens.base.BaseScreen`."""
