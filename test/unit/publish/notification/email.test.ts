import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../../../functions/publish/notification/email.ts';
import { alert, targetAlert } from './alert-fixtures.ts';

describe('renderEmail certificate line', () => {
  it('says how many days a CERT_EXPIRING certificate has left', () => {
    const text = renderEmail(alert([targetAlert('web', { code: 'CERT_EXPIRING', certDaysRemaining: 5 })]));

    expect(text).toContain('expires in 5 days');
  });

  it('never says "expires in -1036 days": an expired certificate has no countdown', () => {
    const text = renderEmail(
      alert([targetAlert('web', { code: 'CERT_EXPIRING', certDaysRemaining: -1036 })]),
    );

    expect(text).not.toContain('expires in -');
  });
});
