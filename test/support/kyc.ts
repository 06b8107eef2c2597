/**
 * A merchant application whose KYC fields all pass (a valid unified social credit code and
 * resident ID, with their check characters): the one fixture the onboarding, fuzz and payment tests
 * start from. Tests that need a bad field spread it and override that field.
 */
export const KYC_APPLICATION = {
  legal_name: '福州测试餐饮有限公司',
  short_name: '测试面馆',
  license_no: '91350100M000100Y43',
  legal_person_name: '张三',
  legal_person_id_no: '11010519491231002X',
  contact_phone: '13800138000',
  mcc: '5812',
  settlement_account: {
    bank_name: '中国工商银行',
    account_name: '福州测试餐饮有限公司',
    account_no: '0200004509200012345',
  },
};
