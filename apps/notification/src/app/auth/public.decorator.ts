import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'newsflow:public-route';

/** Opts a controller or route out of the API-key guard. Only for what carries no data. */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(IS_PUBLIC, true);
