// Imported first by manage.ts, so it runs before any other module does: the default startup.ts builds its
// SERVICES as it loads, and must see the environment as the user set it, not as launch.sh changed it.
import { restoreExtraCaCerts } from './certificates.ts';

restoreExtraCaCerts();
